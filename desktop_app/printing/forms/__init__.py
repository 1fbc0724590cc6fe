"""One module per form family; each form is a function drawing onto a given canvas."""
