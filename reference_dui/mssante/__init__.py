"""MSSanté in the reference DUI: sending documents, fetching and integrating mail, acknowledgements."""
