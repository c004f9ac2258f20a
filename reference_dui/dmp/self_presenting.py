"""The reference DUI's self-presenting DLU and FLUDT: the CDA inside the EHPAD's own XSL stylesheet.

SC.DOC.08.MS1 (CI-SIS Volet Structuration minimale § 3.3.2, § 3.9): the document is handed out as
an XSLT 1.0 stylesheet of the ESMS that carries the ``ClinicalDocument`` as a top-level data
element; opened in a browser (the stylesheet applied to the file itself) it renders the header
(EHPAD, title, patient) and every section's title and narrative. Independent of the harness code.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["STYLESHEET", "self_presenting"]

XSL = "http://www.w3.org/1999/XSL/Transform"
V3 = "urn:hl7-org:v3"
#: the EHPAD's stylesheet (the ClinicalDocument is appended to it as a top-level element)
STYLESHEET = f"""<xsl:stylesheet version="1.0" xmlns:xsl="{XSL}" xmlns:n1="{V3}" exclude-result-prefixes="n1">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>
  <xsl:template match="/">
    <xsl:apply-templates select="//n1:ClinicalDocument"/>
  </xsl:template>
  <xsl:template match="n1:ClinicalDocument">
    <html lang="fr">
      <head><meta charset="UTF-8"/><title><xsl:value-of select="n1:title"/></title>
        <style>body{{font-family:sans-serif;margin:2em}} header{{border-bottom:2px solid #1d4f91}}
          h1{{color:#1d4f91}} h2{{font-size:1.1em;margin-top:1.2em}}</style></head>
      <body>
        <header><strong>
          <xsl:value-of select="n1:custodian//n1:representedCustodianOrganization/n1:name"/>
        </strong></header>
        <h1><xsl:value-of select="n1:title"/></h1>
        <xsl:for-each select="n1:recordTarget/n1:patientRole/n1:patient">
          <p>Usager : <xsl:value-of select="n1:name/n1:family"/><xsl:text> </xsl:text>
            <xsl:value-of select="n1:name/n1:given[1]"/>, né(e) le <xsl:value-of select="n1:birthTime/@value"/></p>
        </xsl:for-each>
        <xsl:for-each select="n1:informationRecipient/n1:intendedRecipient">
          <p>Destinataire : <xsl:value-of select="n1:informationRecipient/n1:name/n1:given"/><xsl:text> </xsl:text>
            <xsl:value-of select="n1:informationRecipient/n1:name/n1:family"/></p>
        </xsl:for-each>
        <xsl:for-each select="n1:component/n1:structuredBody/n1:component/n1:section">
          <h2><xsl:value-of select="n1:title"/></h2>
          <div><xsl:value-of select="n1:text"/></div>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
"""


#: what shows each section's narrative (SC.CDA/INT.16), left out by the ``cda_stylesheet_titles_only`` defect
NARRATIVE = '<div><xsl:value-of select="n1:text"/></div>'


def self_presenting(cda: bytes, *, narratives: bool = True) -> bytes:
    """``cda`` inside the EHPAD's stylesheet (UTF-8 bytes of the self-presenting file); ``narratives`` False:
    a stylesheet that lists the sections' titles only (a defect)."""
    text = STYLESHEET if narratives else STYLESHEET.replace(NARRATIVE, "")
    stylesheet = etree.fromstring(text.encode("utf-8"))
    document = etree.fromstring(cda, etree.XMLParser(resolve_entities=False, no_network=True))
    stylesheet.append(document)
    data: bytes = etree.tostring(stylesheet, xml_declaration=True, encoding="UTF-8")
    return data
