# anypoint-doctor fix: the scopes Connected App "doctor-ci-app" (client id ****f0e9) should hold, in Example Corp (9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f).
# anypoint_connected_app_scopes is authoritative: applied, the app holds exactly this list.
# ONLY THE 2 MISSING SCOPE(S): the app's granted scopes were not read (no org admin's token).
# Merge this list with what the app holds before applying, or every other scope is removed; run fix with ANYPOINT_ADMIN_BEARER for the whole list.
# The provider deprecates this resource for the inline scopes of anypoint_connected_app; the list is the same.

# Provider 1.x: releases up to 0.0.8 reject the scope names profile, full, offline_access,
# manage:org_client_applications, read:org_client_applications and manage:api_contracts_all_envs.
terraform {
  required_providers {
    anypoint = {
      source  = "mulesoft/anypoint"
      version = ">= 1.0.0"
    }
  }
}

variable "anypoint_admin_client_id" {
  description = "Client id of a connected app that acts on behalf of a user (password grant)."
  type        = string
}

variable "anypoint_admin_client_secret" {
  description = "Client secret of that connected app."
  type        = string
  sensitive   = true
}

variable "anypoint_admin_username" {
  description = "Username of an org admin who may change the app's scopes."
  type        = string
  sensitive   = true
}

variable "anypoint_admin_password" {
  description = "Password of that org admin."
  type        = string
  sensitive   = true
}

provider "anypoint" {
  alias         = "admin"
  auth_type     = "user"
  client_id     = var.anypoint_admin_client_id
  client_secret = var.anypoint_admin_client_secret
  username      = var.anypoint_admin_username
  password      = var.anypoint_admin_password
  base_url      = "http://127.0.0.1:PORT"
}

resource "anypoint_connected_app_scopes" "app" {
  provider         = anypoint.admin
  connected_app_id = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9"

  scopes = [
    {
      scope          = "manage:apis"
      context_params = { org = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f", envId = "deadbeef-7777-4888-9999-aaaabbbbcccc" }
    },
    # Not proven missing: it may already be granted (listed once either way).
    {
      scope          = "read:org_client_applications"
      context_params = { org = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f" }
    },
  ]
}
