"""Small pure normalizers for loosely written cell values; each raises NormalizeError."""
