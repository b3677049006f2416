-- One name per module in every layer (issue #11 §1): the data-supervision module is
-- `data_supervision` in its tables, permission codes and attachment owners, as in its Rust
-- modules, templates and audit actions. URLs stay short (/ds).
ALTER TABLE ds_header_mapping RENAME TO data_supervision_header_mapping;
ALTER TABLE ds_custom_model RENAME TO data_supervision_custom_model;
ALTER TABLE ds_job RENAME TO data_supervision_job;
ALTER TABLE ds_finding RENAME TO data_supervision_finding;
ALTER TABLE ds_check RENAME TO data_supervision_check;
UPDATE role_permission SET permission = 'data_supervision.' || substr(permission, 4) WHERE permission LIKE 'ds.%';
UPDATE attachment SET owner_type = 'data_supervision_check' WHERE owner_type = 'ds_check';
