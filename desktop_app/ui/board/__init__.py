"""The 書類ボード page: one column of cards per open stage."""
