-- Release Risk Advisor: PostgreSQL roles (docs/security.md, "The PostgreSQL roles").
-- Part 1, as a superuser or a role with CREATEROLE, once. Set passwords (or use your
-- identity provider) as your platform requires.
CREATE ROLE advisor_owner LOGIN;
CREATE ROLE advisor_runtime LOGIN;
CREATE SCHEMA IF NOT EXISTS advisor AUTHORIZATION advisor_owner;
REVOKE ALL ON SCHEMA advisor FROM PUBLIC;
GRANT USAGE ON SCHEMA advisor TO advisor_runtime;
ALTER ROLE advisor_owner SET search_path = advisor;
ALTER ROLE advisor_runtime SET search_path = advisor;

-- Then, as advisor_owner: ADVISOR_DATABASE_URL=postgresql+psycopg://advisor_owner@HOST/DB advisor db init

-- Part 2, as advisor_owner, after `advisor db init` (and again after an upgrade adds tables).
-- The audit log: read and append, nothing else (UPDATE, DELETE, TRUNCATE, DISABLE
-- TRIGGER and DROP need the owner).
GRANT SELECT, INSERT ON advisor.audit_log TO advisor_runtime;
GRANT SELECT ON advisor.advisor_schema_version TO advisor_runtime;
GRANT SELECT, UPDATE ON advisor.kill_switch TO advisor_runtime;
GRANT SELECT, INSERT, UPDATE ON advisor.reports, advisor.runs, advisor.signoff_commands, advisor.webhook_deliveries TO advisor_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON advisor.checkpoints, advisor.checkpoint_blobs, advisor.checkpoint_writes TO advisor_runtime;
GRANT SELECT ON advisor.checkpoint_migrations TO advisor_runtime;

-- Workers run as advisor_runtime with ADVISOR_DB_AUTO_INIT=false.
