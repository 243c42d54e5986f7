"""Published and retired versions are law at a point in time: the database itself refuses any
change to them, so no service, admin action, bulk update or raw SQL can rewrite one. The only
change a frozen version accepts is published → retired, with nothing else touched."""

from django.db import migrations

VERSION = "responsibility_lists_listversion"
VERSION_COLUMNS = ["number", "title", "effective_from", "published_at", "published_by_id", "based_on_id", "note"]
ROWS = {  # table -> how to find the version id of a row (as `{row}` = OLD or NEW)
    "responsibility_lists_category": "{row}.version_id",
    "responsibility_lists_matter": "{row}.version_id",
    "responsibility_lists_matter_assisting_departments": (
        "(SELECT version_id FROM responsibility_lists_matter WHERE id = {row}.matter_id)"
    ),
}
MESSAGE = "responsibility list version is published and cannot change"


def _postgres_sql() -> tuple[str, str]:
    unchanged = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in VERSION_COLUMNS)
    forward = [
        f"""
        CREATE OR REPLACE FUNCTION rl_guard_version() RETURNS trigger AS $$
        BEGIN
          IF OLD.status <> 'draft' THEN
            IF TG_OP = 'UPDATE' AND OLD.status = 'published' AND NEW.status = 'retired' AND {unchanged} THEN
              RETURN NEW;
            END IF;
            RAISE EXCEPTION '{MESSAGE} (V%)', OLD.number USING ERRCODE = 'check_violation';
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER rl_guard_version BEFORE UPDATE OR DELETE ON {VERSION}
          FOR EACH ROW EXECUTE FUNCTION rl_guard_version();
        """
    ]
    backward = [f"DROP TRIGGER IF EXISTS rl_guard_version ON {VERSION}; DROP FUNCTION IF EXISTS rl_guard_version();"]
    for table, version_of in ROWS.items():
        name = f"rl_guard_{table.removeprefix('responsibility_lists_')}"
        forward.append(
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            DECLARE frozen boolean;
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN
                SELECT status <> 'draft' INTO frozen FROM {VERSION} WHERE id = {version_of.format(row="OLD")};
                IF frozen THEN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation'; END IF;
              END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN
                SELECT status <> 'draft' INTO frozen FROM {VERSION} WHERE id = {version_of.format(row="NEW")};
                IF frozen THEN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation'; END IF;
                RETURN NEW;
              END IF;
              RETURN OLD;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OR DELETE ON {table}
              FOR EACH ROW EXECUTE FUNCTION {name}();
            """
        )
        backward.append(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
    return "\n".join(forward), "\n".join(backward)


def _sqlite_statements() -> tuple[list[str], list[str]]:
    unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in VERSION_COLUMNS)
    forward = [
        f"""CREATE TRIGGER rl_guard_version_update BEFORE UPDATE ON {VERSION}
            WHEN OLD.status <> 'draft' AND NOT (OLD.status = 'published' AND NEW.status = 'retired' AND {unchanged})
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER rl_guard_version_delete BEFORE DELETE ON {VERSION}
            WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    ]
    backward = ["DROP TRIGGER IF EXISTS rl_guard_version_update", "DROP TRIGGER IF EXISTS rl_guard_version_delete"]
    for table, version_of in ROWS.items():
        short = table.removeprefix("responsibility_lists_")
        for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
            frozen = " OR ".join(
                f"(SELECT status FROM {VERSION} WHERE id = {version_of.format(row=r)}) <> 'draft'" for r in rows
            )
            name = f"rl_guard_{short}_{event.lower()}"
            forward.append(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {frozen} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def install(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(_postgres_sql()[0], params=None)  # None: "%" is not a placeholder here
    elif connection.vendor == "sqlite":
        for statement in _sqlite_statements()[0]:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(_postgres_sql()[1], params=None)
    elif connection.vendor == "sqlite":
        for statement in _sqlite_statements()[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("responsibility_lists", "0002_list_edits")]
    operations = [migrations.RunPython(install, remove)]
