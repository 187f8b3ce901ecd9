"""Export and import of the whole database (or one programme) as a zip of JSON tables."""
