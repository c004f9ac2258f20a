"""DMP suite: automatic feeding observed, not triggered (SC.DMP.01.MS1, SC.DMP/ALI/PROG.02/05/06/07)."""
