"""Screens of the coding app: the coding screen, help, and the small dialogs."""
