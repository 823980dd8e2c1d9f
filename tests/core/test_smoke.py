import pytest
from werkzeug.test import Client

from corolla import PluginResolutionError


def test_dispatch_plugin_serves(corolla_plugins, make_app):
    corolla_plugins.add("hi", body='''
        @hookimpl
        def corolla_dispatch(self, request):
            return "hi " + request.path
    ''')
    app = make_app()
    r = Client(app).get("/x")
    assert r.status_code == 200
    assert r.text == "hi /x"


def test_missing_requirement(corolla_plugins, make_app):
    corolla_plugins.add("forms", requires=["sessions>=0.2"])
    with pytest.raises(PluginResolutionError) as info:
        make_app()
    assert 'pip install "corolla-sessions>=0.2"' in str(info.value)
