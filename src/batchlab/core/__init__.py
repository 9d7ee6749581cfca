"""The computational core: NumPy (and Numba) only; no web, plotting or torch imports."""
