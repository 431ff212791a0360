"""The desktop window: PySide6 views over the core functions (no SQL, no business rules)."""
