-- The last TOTP time step accepted for each user: a code is accepted once, never replayed.
ALTER TABLE app_user ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
