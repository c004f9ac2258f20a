"""HL7 v2 identity feeds in the reference DUI (IHE PAM France): MLLP listener, feed integration, ADT emission."""
