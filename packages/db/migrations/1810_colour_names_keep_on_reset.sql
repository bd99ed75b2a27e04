-- The colour vocabulary is reference data written by migration 1800, not shop data. Its
-- mapped_by foreign key to users made `TRUNCATE users … CASCADE` (the demo seed's --reset)
-- empty the whole vocabulary, so every variant lost its family after a reset. mapped_by stays
-- as the id of the staff member who mapped a name (the audit log keeps the name, as
-- `colour.mapped`); the vocabulary survives a reset of the shop's people.
ALTER TABLE colour_names DROP CONSTRAINT colour_names_mapped_by_fkey;
COMMENT ON COLUMN colour_names.mapped_by IS 'users.id of the staff member who mapped the name (no foreign key: the vocabulary outlives a reset of users; the audit log has the name)';
