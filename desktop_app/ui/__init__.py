"""Qt widgets: main window, pages and dialogs. Calls services, never the database."""
