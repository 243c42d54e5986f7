"""The audit trail is append-only in the database itself: events, contact disclosures and the
checkpoints refuse every UPDATE and DELETE, whoever sends it (a bulk update, the admin, raw SQL),
and a new event or disclosure must take the next place in its demand's chain, name the row
before it, and not be dated before it. The keyed hashes (demands.audit_chain) show whatever is
done with the triggers out of the way; TRUNCATE, which row triggers do not see, shows against
the checkpoints."""

from django.db import migrations, models

APPEND_ONLY = [
    "demands_demandevent",
    "demands_contactdisclosure",
    "demands_auditcheckpoint",
    "demands_auditcheckpointhead",
]
CHAINED = {"demands_demandevent": "event", "demands_contactdisclosure": "disclosure"}
REFUSED = "audit records are append-only"
OUT_OF_CHAIN = "audit record out of its chain"
BACKDATED = "audit record dated before the one it follows"


def _short(table: str) -> str:
    return table.removeprefix("demands_")


def _postgres_sql() -> tuple[str, str]:
    forward = [
        f"""
        CREATE OR REPLACE FUNCTION demands_append_only() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '{REFUSED} (%)', TG_TABLE_NAME USING ERRCODE = 'check_violation';
        END $$ LANGUAGE plpgsql;
        CREATE OR REPLACE FUNCTION demands_chain_link() RETURNS trigger AS $$
        DECLARE last_seq integer; last_hash varchar; last_at timestamptz;
        BEGIN
          EXECUTE format('SELECT seq, row_hash, created_at FROM %I WHERE demand_id = $1 ORDER BY seq DESC LIMIT 1',
                         TG_TABLE_NAME)
            INTO last_seq, last_hash, last_at USING NEW.demand_id;
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
    ]
    backward = []
    for table in APPEND_ONLY:
        name = f"demands_guard_{_short(table)}"
        forward.append(
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION demands_append_only();"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    for table in CHAINED:
        name = f"demands_chain_{_short(table)}"
        forward.append(
            f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION demands_chain_link();"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    backward.append("DROP FUNCTION IF EXISTS demands_append_only(); DROP FUNCTION IF EXISTS demands_chain_link();")
    return "\n".join(forward), "\n".join(backward)


def sqlite_statements() -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            name = f"demands_guard_{_short(table)}_{event.lower()}"
            forward.append(f"CREATE TRIGGER {name} BEFORE {event} ON {table} BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END")
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    for table in CHAINED:
        last = f"FROM {table} WHERE demand_id = NEW.demand_id ORDER BY seq DESC LIMIT 1"
        out_of_chain = (
            f"NEW.row_hash = '' OR NEW.seq <> COALESCE((SELECT seq {last}), 0) + 1 "
            f"OR NEW.prev_hash <> COALESCE((SELECT row_hash {last}), '')"
        )
        name = f"demands_chain_{_short(table)}"
        forward.append(
            f"CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN {out_of_chain} "
            f"BEGIN SELECT RAISE(ABORT, '{OUT_OF_CHAIN}'); END"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {name}")
        # Django writes times in one fixed, sortable form (UTC), so the text comparison is in time order.
        name = f"demands_backdated_{_short(table)}"
        forward.append(
            f"CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN NEW.created_at < (SELECT created_at {last}) "
            f"BEGIN SELECT RAISE(ABORT, '{BACKDATED}'); END"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_postgres_sql()[0], params=None)  # None: "%" is not a placeholder here
    elif schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_statements()[0]:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_postgres_sql()[1], params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_statements()[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("demands", "0014_fill_audit_chains")]
    operations = [
        migrations.AddConstraint(
            model_name="contactdisclosure",
            constraint=models.UniqueConstraint(fields=("demand", "seq"), name="one_disclosure_per_chain_place"),
        ),
        migrations.AddConstraint(
            model_name="demandevent",
            constraint=models.UniqueConstraint(fields=("demand", "seq"), name="one_event_per_chain_place"),
        ),
        migrations.RunPython(install, remove),
    ]
