"""Validate: RawSheet rows → typed records for one table, plus the rows rejected with reasons."""
