# Neon Postgres: one project per environment, its default branch, the application database, an owner
# role for migrations and an application role for the Worker.
#
# Why the application role is created with SQL and not with neon_role: roles created through the Neon
# API are members of neon_superuser, which carries BYPASSRLS (Neon changelog 2023-08-15); a member can
# SET ROLE neon_superuser and step around row-level security. Tenant isolation (LGPD art. 46, HIPAA
# 45 CFR 164.312(a)(1)) depends on RLS, so the Worker's role must not be such a member. Terraform only
# generates its password; `app_role_sql` (run once by the owner role, see README) creates it with
# NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT.

resource "neon_project" "this" {
  name                      = var.project_name
  region_id                 = var.region_id
  pg_version                = var.pg_version
  history_retention_seconds = var.history_retention_seconds

  # The default branch is created with the database and its owner role (the migration role).
  branch {
    name          = var.branch_name
    database_name = var.database_name
    role_name     = var.owner_role_name
  }

  default_endpoint_settings {
    autoscaling_limit_min_cu = var.autoscaling_min_cu
    autoscaling_limit_max_cu = var.autoscaling_max_cu
    suspend_timeout_seconds  = var.suspend_timeout_seconds
  }

  lifecycle {
    # Deleting the project deletes medical records (Lei 13.787/2018 art. 6) and the audit trail.
    prevent_destroy = true
  }
}

# URL-safe characters only, so the password can sit in a connection string without escaping.
resource "random_password" "app_role" {
  length  = 48
  special = false
}

locals {
  direct_host = neon_project.this.database_host
  # Neon's pooled (PgBouncer, transaction mode) host is the endpoint id with "-pooler" appended.
  pooled_host = "${neon_project.this.default_endpoint_id}-pooler${trimprefix(neon_project.this.database_host, neon_project.this.default_endpoint_id)}"

  owner_database_url = "postgresql://${neon_project.this.database_user}:${neon_project.this.database_password}@${local.direct_host}/${neon_project.this.database_name}?sslmode=require"
  app_database_url   = "postgresql://${var.app_role_name}:${random_password.app_role.result}@${local.pooled_host}/${neon_project.this.database_name}?sslmode=require"

  app_role_sql = <<-SQL
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${var.app_role_name}') THEN
        CREATE ROLE ${var.app_role_name} LOGIN;
      END IF;
    END
    $$;
    ALTER ROLE ${var.app_role_name} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION NOINHERIT PASSWORD '${random_password.app_role.result}';
    GRANT CONNECT ON DATABASE ${neon_project.this.database_name} TO ${var.app_role_name};
  SQL
}
