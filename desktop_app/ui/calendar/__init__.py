"""The カレンダー page: week, day and month views, booking from a free slot."""
