"""The dataset card never shows credentials embedded in a source URL."""

from codetune.build.card import _environment


def test_card_locations_have_url_credentials_cut_out():
    template = _environment().from_string("{{ location | public_location }}")
    assert (
        template.render(location="https://user:ghp_secret@host/org/repo.git") == "https://host/org/repo.git"
    )
    assert template.render(location="git@github.com:org/repo.git") == "git@github.com:org/repo.git"
