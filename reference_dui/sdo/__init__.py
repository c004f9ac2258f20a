"""The reference DUI's exchanges with the SI-SdO (CNSA orientation decisions, flux 1 to 5)."""
