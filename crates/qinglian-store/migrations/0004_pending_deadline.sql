-- A deadline whose period runs into a year the calendar does not know yet waits (待定):
-- `pending_period` holds the period (`workdays:15`, `days:30`, `months:1`) and `due_date` is ''
-- until the administrator saves that year; then the due date is computed and this is ''.
ALTER TABLE deadline ADD COLUMN pending_period TEXT NOT NULL DEFAULT '';
-- Who is told about the deadline besides its owner: the users of its org holding this
-- permission (a workflow's next actor, e.g. ds.answer); '' = only the owner.
ALTER TABLE deadline ADD COLUMN notify_permission TEXT NOT NULL DEFAULT '';
