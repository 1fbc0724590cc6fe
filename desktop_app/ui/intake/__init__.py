"""受付: the intake wizard the clerk fills while on the phone."""
