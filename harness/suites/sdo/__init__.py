"""Suite of the CNSA orientation decisions (SI-SdO ⇄ SI-ESMS, service ``SDO``)."""
