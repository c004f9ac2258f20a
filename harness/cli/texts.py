"""The command line's texts in French first: help of every option, verb summaries, no markup.

The verbs keep their English help in their own module; this catalogue gives the French
beside it ("français / English"), applied by the parser class of :mod:`harness.cli` to every
option and verb. Docstrings used as descriptions lose their reStructuredText markup
(``code``, :role:`target`) before argparse prints them. ``tests/cli/test_texts.py`` fails
when a help text has no French.
"""

from __future__ import annotations

import re

__all__ = ["DESCRIPTIONS_FR", "FRENCH", "bilingual", "plain"]

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")

#: English help text -> French
# fmt: off
FRENCH = {
    "folder with the public IHE XDS.b and OASIS ebRS 3.0 schemas: every DMP request is also validated against them":
        "dossier des schémas publics IHE XDS.b et OASIS ebRS 3.0 : chaque requête au DMP est aussi validée contre eux",
    "IHE XDS.b and OASIS ebRS 3.0 schemas handed to the DMP simulator (see dui-harness run --xds-schemas)":
        "schémas IHE XDS.b et OASIS ebRS 3.0 donnés au simulateur DMP (voir dui-harness run --xds-schemas)",
    'requirement profile (default: segur-dui)':
        "profil d'exigences (défaut : segur-dui)",
    "copy of the ANS Ségur base (folder with exigences.csv): official texts in the conformity matrix; default: $DUI_HARNESS_EXIGENCES, else the project's summaries only":  # noqa: E501 - one help text per line
        "copie de la base des exigences Ségur de l'ANS (dossier avec exigences.csv) : textes officiels dans la matrice de conformité ; défaut : $DUI_HARNESS_EXIGENCES, sinon les résumés du projet",  # noqa: E501 - one help text per line
    "YAML of the editor's attestations and demonstrations (official id, statement, files): the files and their hashes go into the signed bundle":  # noqa: E501 - one help text per line
        "YAML des attestations et démonstrations de l'éditeur (id officiel, déclaration, fichiers) : les fichiers et leurs empreintes entrent dans le dossier de preuves signé",  # noqa: E501 - one help text per line
    "only the rules of this service's requirements (INS, DMP, MSS…)":
        'seulement les règles des exigences de ce service (INS, DMP, MSS…)',
    "the reviewer's PEM private key":
        'la clé privée PEM du relecteur',
    "the reviewer's certificate (default: beside the key)":
        'le certificat du relecteur (défaut : à côté de la clé)',
    'decision per requirement (YAML or JSON)':
        'décision par exigence (YAML ou JSON)',
    "the editor's public key or certificate, to check the bundle's signer first":
        "la clé publique ou le certificat de l'éditeur, pour vérifier d'abord le signataire du dossier",
    'write the countersigned bundle here (default: in place)':
        'écrire ici le dossier contresigné (défaut : à sa place)',
    'folder to write the proofs into (new or empty)':
        'dossier où écrire les preuves (nouveau ou vide)',
    'check an earlier export against BUNDLE':
        'vérifier un export antérieur contre BUNDLE',
    "the editor's public key or certificate (see verify)":
        "la clé publique ou le certificat de l'éditeur (voir verify)",
    "copy of the ANS base (folder with exigences.csv) for the official texts; default $DUI_HARNESS_EXIGENCES, else the project's summaries only":  # noqa: E501 - one help text per line
        "copie de la base de l'ANS (dossier avec exigences.csv) pour les textes officiels ; défaut $DUI_HARNESS_EXIGENCES, sinon les résumés du projet",  # noqa: E501 - one help text per line
    'copy of the ANS base, for the official texts':
        "copie de la base de l'ANS, pour les textes officiels",
    'only this disposition (e.g. tested, not-covered)':
        'seulement cette disposition (par ex. tested, not-covered)',
    "show this help message and exit": "afficher cette aide",
    "show program's version number and exit": "afficher la version",
    "run the conformance suite against a DUI and write the report":
        "exécuter la suite de conformité contre une DUI et écrire le rapport",
    "start the simulated national services standalone": "lancer seuls les services nationaux simulés",
    "trigger API of the DUI under test (default: the reference DUI)":
        "API de pilotage de la DUI testée (défaut : la DUI de référence)",
    "attended mode: an operator drives the DUI": "mode accompagné : une personne pilote la DUI",
    "requirement profile (default: segur-dui-esms)": "profil d'exigences (défaut : segur-dui-esms)",
    "output folder (default: ./reports)": "dossier de sortie (défaut : ./reports)",
    "reference DUI only: switch on a defect (repeatable); see --list-defects":
        "DUI de référence seulement : activer un défaut (répétable) ; voir --list-defects",
    "list the reference DUI's defect switches": "lister les défauts de la DUI de référence",
    "test PKI folder (default: <reports>/pki)": "dossier de la PKI de test (défaut : <reports>/pki)",
    "fixed INSi simulator port (default 8701 with --sut)": "port fixe du simulateur INSi (défaut 8701 avec --sut)",
    "simulators over plain HTTP": "simulateurs en HTTP simple (sans TLS)",
    "with --sut: every simulator on a free port, pushed to the DUI by PUT /config/endpoints":
        "avec --sut ou --attended : chaque simulateur sur un port libre (transmis par PUT /config/endpoints ou la "
        "fiche de connexion)",
    "official CI-SIS artefact pack (XSD, schematrons, value sets) for the CDA checks; default: "
    "$DUI_HARNESS_CDA_PACK, else the embedded rules only":
        "paquet officiel CI-SIS (XSD, schématrons, jeux de valeurs) pour les contrôles CDA ; défaut : "
        "$DUI_HARNESS_CDA_PACK, sinon les seules règles embarquées",
    "skip rendering the Allure HTML report": "ne pas produire le rapport HTML Allure",
    "skip the signed evidence bundle": "ne pas produire le dossier de preuves signé",
    "evidence bundle file (default <reports>/evidence-bundle.zip)":
        "fichier du dossier de preuves (défaut <reports>/evidence-bundle.zip)",
    "previous reports folder, Allure report or bundle: carry its Allure history/trend":
        "exécution précédente (dossier, rapport Allure ou dossier de preuves) : reprendre son historique",
    "PEM private key signing the manifest (default: a one-time key); see dui-harness keys":
        "clé privée PEM signant le manifeste (défaut : clé à usage unique) ; voir dui-harness keys",
    "the X.509 certificate of --key (default: signing-cert.pem beside the key, when it matches)":
        "le certificat X.509 de --key (défaut : signing-cert.pem à côté de la clé, s'il correspond)",
    "DUI name as the editor declares it (default: the trigger API's info)":
        "nom de la DUI déclaré par l'éditeur (défaut : GET /info de l'API de pilotage)",
    "DUI version as the editor declares it (default: the trigger API's info)":
        "version de la DUI déclarée par l'éditeur (défaut : GET /info)",
    "DUI editor as the editor declares it (default: the trigger API's info)":
        "éditeur de la DUI tel que déclaré (défaut : GET /info)",
    "DUI build as the editor declares it (default: the trigger API's info)":
        "build de la DUI tel que déclaré (défaut : GET /info)",
    "only tests matching this pytest -k expression": "seulement les tests retenus par cette expression pytest -k",
    "less output": "affichage réduit",
    "INSi simulator port (default 8701, 0 = free)": "port du simulateur INSi (défaut 8701, 0 = libre)",
    "DMP (XDS.b) simulator port (default 8702, 0 = free)": "port du simulateur DMP (défaut 8702, 0 = libre)",
    "Pro Santé Connect simulator port (default 8706)": "port du simulateur Pro Santé Connect (défaut 8706)",
    "e-parcours FHIR simulator port (default 8707)": "port du simulateur FHIR e-parcours (défaut 8707)",
    "e-prescription FHIR simulator port (default 8708)": "port du simulateur FHIR e-prescription (défaut 8708)",
    "MSSanté control API port (default 8710, with SMTP 8587/8465, IMAP 8143/8993; 0 = all free)":
        "port de l'API de contrôle MSSanté (défaut 8710, avec SMTP 8587/8465, IMAP 8143/8993 ; 0 = tous libres)",
    "where exchanges are recorded": "où les échanges sont enregistrés",
    "plain HTTP (no client certificate checks)": "HTTP simple (pas de contrôle de certificat client)",
    "also start the bundled reference DUI, pointed at the simulators":
        "lancer aussi la DUI de référence, configurée vers les simulateurs",
    "folder (default: ./reports/pki)": "dossier (défaut : ./reports/pki)",
    "generate a new PKI even if a valid one exists": "générer une nouvelle PKI même si une PKI valide existe",
    "what to validate: ins, fhir, cda, xds, mail, hl7v2, pdf": "quoi valider : ins, fhir, cda, xds, mail, hl7v2, pdf",
    "cda: content-model version to judge with (2022.01, or MODEL=VERSION such as DLU-EHPAD-DLU=2022.01; "
    "repeatable); default: the document's, else the newest of the pack, with a warning":
        "cda : version du modèle de contenu pour juger (2022.01, ou MODÈLE=VERSION comme DLU-EHPAD-DLU=2022.01 ; "
        "répétable) ; défaut : celle du document, sinon la plus récente du paquet, avec un avertissement",
    "cda: compile the official schematrons with the project's compiler (default) or with the ANS tool's "
    "pipeline of the pack (schematrons/moteur/)":
        "cda : compiler les schématrons officiels avec le compilateur du projet (défaut) ou avec la chaîne de "
        "l'outil de l'ANS fournie dans le paquet (schematrons/moteur/)",
    "print the results as JSON": "afficher les résultats en JSON",
    "assigning authority OID of values given without one": "OID d'autorité d'affectation des valeurs données sans",
    "CI-SIS artefact pack (TestContenuCDA layout: XSD, schematrons, value sets); default: $DUI_HARNESS_CDA_PACK":
        "paquet d'artefacts CI-SIS (organisation TestContenuCDA : XSD, schématrons, jeux de valeurs) ; défaut : "
        "$DUI_HARNESS_CDA_PACK",
    "show the requirements of one profile": "afficher les exigences d'un profil",
    "check every catalog and profile file": "contrôler chaque catalogue et profil",
    "print JSON (list and --show)": "afficher en JSON (liste et --show)",
    "profiles folder (default: the one shipped with dui-harness)": "dossier des profils (défaut : celui fourni)",
    "the run's output folder (default ./reports)": "dossier de sortie de l'exécution (défaut ./reports)",
    "bundle file (default <reports>/evidence-bundle.zip)": "fichier du dossier de preuves "
                                                           "(défaut <reports>/evidence-bundle.zip)",
    "print the report as JSON": "afficher le rapport en JSON",
    "PEM public key, certificate or CA certificate of a trusted signer (repeatable)":
        "clé publique, certificat ou certificat d'AC PEM d'un signataire de confiance (répétable)",
    "profiles folder (default: the one shipped)": "dossier des profils (défaut : celui fourni)",
    "folder to write the key pair into": "dossier où écrire la paire de clés",
    "editor name in the certificate": "nom de l'éditeur dans le certificat",
    "certificate validity in days (default 730)": "validité du certificat en jours (défaut 730)",
    "print JSON": "afficher en JSON",
    "also write the report as one static HTML file": "écrire aussi le rapport en un fichier HTML statique",
    "an evidence bundle in addition to those of the project file (repeatable)":
        "un dossier de preuves en plus de ceux du fichier projet (répétable)",
    "read the DUI's indicators now from its trigger API": "lire maintenant les indicateurs de la DUI (API de "
                                                          "pilotage)",
    "only the rules of this requirement": "seulement les contrôles de cette exigence",
    "public key / certificate trusted for every bundle (repeatable)":
        "clé publique / certificat de confiance pour chaque dossier (répétable)",
}
# fmt: on

#: verb -> one French paragraph put before its (English) description
# fmt: off
DESCRIPTIONS_FR = {
    "run": "Exécute toute la suite de conformité contre une DUI (la DUI de référence par défaut) et écrit le "
           "rapport Allure, le JUnit, la matrice de couverture, les échanges capturés et le dossier de preuves signé.",
    "serve": "Lance les simulateurs seuls pour configurer une DUI, affiche leurs adresses puis une ligne par "
             "échange reçu.",
    "pki": "Écrit la PKI de test (AC, certificat serveur, certificats clients) et dit quel service utilise "
           "chaque certificat.",
    "validate": "Contrôle hors ligne des fichiers (INS, CDA, XDS, courriels, FHIR, HL7 v2) avec les règles du banc.",
    "profiles": "Liste les profils d'exigences et leurs exigences ; --check contrôle catalogues et profils.",
    "bundle": "Produit le dossier de preuves signé d'une exécution.",
    "verify": "Vérifie un dossier de preuves : intégrité, signature, cohérence.",
    "keys": "Crée une paire de clés de signature de test pour les dossiers de preuves.",
    "check-project": "Contrôle un projet de financement ESMS numérique au regard des règles du programme.",
    "usage": "Indicateurs d'usage d'une exécution (messages MSSanté, accusés de réception…).",
    "diff": "Compare deux exécutions : exigences dont le verdict a changé.",
    "rules": "Liste les contrôles enregistrés et l'exigence que chacun juge.",
    "pack": "Contrôle un paquet d'artefacts CI-SIS (date, schématrons exécutables, fichiers dérivés ou manquants).",
}
# fmt: on


def plain(text: str) -> str:
    """``text`` without reStructuredText markup: ``code`` -> code, :class:`~a.b.C` -> C."""
    return _ROLE.sub(lambda m: m.group(1).split(".")[-1], text).replace("``", "")


def bilingual(help_text: str | None) -> str | None:
    """``français / English`` for a help text the catalogue knows; already bilingual texts are kept."""
    if not help_text or " / " in help_text or help_text.startswith("==SUPPRESS=="):
        return help_text
    french = FRENCH.get(help_text)
    return f"{french} / {help_text}" if french else help_text
