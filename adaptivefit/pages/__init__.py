"""Every page module, imported so its routes register with the app."""

from adaptivefit.pages import equipment, exercises, landing, not_found, sign_in

__all__ = ["equipment", "exercises", "landing", "not_found", "sign_in"]
