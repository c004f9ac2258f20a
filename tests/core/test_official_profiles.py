"""Profiles built from the official account: the default judges what segur-dui-esms judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.official import load_account
from harness.core.requirements import load_catalog, load_profile
from harness.errors import ProfileError
from harness.paths import profiles_dir
from harness.plugin.options import DEFAULT_PROFILE


def test_the_default_profile_is_the_dui_referencing_profile_of_vague_2() -> None:
    profile = load_profile(profiles_dir(), DEFAULT_PROFILE)
    assert (profile.name, profile.version) == ("segur-dui", "2023.2")


def test_the_default_judges_the_same_requirements_as_segur_dui_esms() -> None:
    # the set of project requirements judged by default is unchanged by the switch to the account
    assert load_profile(profiles_dir(), DEFAULT_PROFILE).ids() == load_profile(profiles_dir(), "segur-dui-esms").ids()


def test_each_version_takes_the_tested_rows_of_its_vagues() -> None:
    account = load_account(profiles_dir())
    catalog = load_catalog(profiles_dir())
    vague1 = load_profile(profiles_dir(), "segur-dui@2022.1", catalog)
    vague2 = load_profile(profiles_dir(), "segur-dui@2023.2", catalog)
    assert account.project_requirements({"va1"}) <= vague1.ids() < vague2.ids()
    assert account.project_requirements({"va1", "va2"}) <= vague2.ids()
    # vague 2 items (SC.MSS/CONF.25 → MSS-SUBJ-01) are not judged in the vague 1 profile
    assert "MSS-SUBJ-01" in vague2 and "MSS-SUBJ-01" not in vague1


def test_an_unknown_account_is_named(tmp_path: Path) -> None:
    profile = tmp_path / "profile.toml"
    profile.write_text(
        'name = "xy"\nversion = "1"\ntitle = "test"\n\n[selection]\naccount = "segur-dui@1999.01"\n', encoding="utf-8"
    )
    with pytest.raises(ProfileError, match=r"profile.toml:6: .*official account"):
        load_profile(profiles_dir(), str(profile))
