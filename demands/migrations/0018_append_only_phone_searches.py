"""Phone searches on the desk are audit records like the contact disclosures beside them: a
dispatcher trying the numbers behind a mask must not be able to erase the trace. The table
refuses every UPDATE and DELETE. Its PostgreSQL function is its own, so that lifting 0015's
guards (as its tests do, playing a DBA) leaves this one standing."""

from django.db import migrations

TABLE = "demands_phonesearch"
REFUSED = "audit records are append-only"


def sqlite_statements() -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for event in ("UPDATE", "DELETE"):
        name = f"demands_guard_phonesearch_{event.lower()}"
        forward.append(f"CREATE TRIGGER {name} BEFORE {event} ON {TABLE} BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END")
        backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION demands_phonesearch_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION '{REFUSED} (%%)', TG_TABLE_NAME USING ERRCODE = 'check_violation';
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER demands_guard_phonesearch BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION demands_phonesearch_append_only();
            """
        )
    elif schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_statements()[0]:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS demands_guard_phonesearch ON {TABLE}; "
            "DROP FUNCTION IF EXISTS demands_phonesearch_append_only();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_statements()[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("demands", "0017_phone_searches")]
    operations = [migrations.RunPython(install, remove)]
