"""Imports: rosters (花名册) and external lists (data sources) from Excel and CSV files."""
