-- People sort by the surname's pinyin, then the given name's (names::name_sort_key): 陈 and 程
-- are not interleaved. Filled at start by person::refresh_name_keys, which also recomputes the
-- pinyin columns with surname readings (曾 zeng, 单 shan …) for rows stored before.
ALTER TABLE person ADD COLUMN name_sort TEXT NOT NULL DEFAULT '';
CREATE INDEX person_name_sort_idx ON person(name_sort);
