"""Mekong Bridge: China–Mekong village poverty-reduction cooperation platform."""

__version__ = "0.1.0"
