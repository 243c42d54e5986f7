"""The chain-link trigger of 0015 read the row before the new one with dynamic SQL (EXECUTE
format(...)), which PostgreSQL parses and plans again for every row inserted. Each chained table
now has its own static query, planned once per session: the same check, about a seventh of the
cost per row (38 µs → 5 µs over plain inserting, measured on 50,000 inserts beside 1 M rows).
The sweep writes one event per rung, so at city scale this is most of its time in PostgreSQL."""

from django.db import migrations

OUT_OF_CHAIN = "audit record out of its chain"
BACKDATED = "audit record dated before the one it follows"
CHAINED = ("demands_demandevent", "demands_contactdisclosure")


def _last_row(table: str) -> str:
    return (
        f"SELECT seq, row_hash, created_at INTO last_seq, last_hash, last_at FROM {table} "
        "WHERE demand_id = NEW.demand_id ORDER BY seq DESC LIMIT 1;"
    )


def _chain_link(lookup: str) -> str:
    """The trigger function, reading the row before the new one with `lookup`."""
    return f"""
CREATE OR REPLACE FUNCTION demands_chain_link() RETURNS trigger AS $$
DECLARE last_seq integer; last_hash varchar; last_at timestamptz;
BEGIN
  {lookup}
  IF NEW.row_hash = '' OR NEW.seq <> COALESCE(last_seq, 0) + 1 OR NEW.prev_hash <> COALESCE(last_hash, '') THEN
    RAISE EXCEPTION '{OUT_OF_CHAIN} (% of demand %)', TG_TABLE_NAME, NEW.demand_id
      USING ERRCODE = 'check_violation';
  END IF;
  IF last_at IS NOT NULL AND NEW.created_at < last_at THEN
    RAISE EXCEPTION '{BACKDATED} (% of demand %)', TG_TABLE_NAME, NEW.demand_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


STATIC = _chain_link(
    f"""IF TG_TABLE_NAME = '{CHAINED[0]}' THEN
    {_last_row(CHAINED[0])}
  ELSIF TG_TABLE_NAME = '{CHAINED[1]}' THEN
    {_last_row(CHAINED[1])}
  ELSE
    RAISE EXCEPTION 'demands_chain_link() does not know the table %', TG_TABLE_NAME;
  END IF;"""
)
# 0015's, for going back.
DYNAMIC = _chain_link(
    """EXECUTE format('SELECT seq, row_hash, created_at FROM %I WHERE demand_id = $1 ORDER BY seq DESC LIMIT 1',
                 TG_TABLE_NAME)
    INTO last_seq, last_hash, last_at USING NEW.demand_id;"""
)


def _replace(sql: str):
    def run(apps, schema_editor):
        # SQLite's triggers (0015) are static already.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: "%" is not a placeholder here

    return run


class Migration(migrations.Migration):
    dependencies = [("demands", "0024_new_actions")]
    operations = [migrations.RunPython(_replace(STATIC), _replace(DYNAMIC))]
