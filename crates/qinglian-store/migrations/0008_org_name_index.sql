-- Units are shown by their path where a name is not unique (示例市财政局 / 财务科): every list
-- looks names up, and imports accept 「上级单位/名称」.
CREATE INDEX org_name_idx ON org(name);
