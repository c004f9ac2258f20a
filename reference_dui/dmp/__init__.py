"""The reference DUI's DMP feature: its own CDA documents, XDS.b client, VIHF and TD0.2 handling."""
