"""Signals shown by files: DVC, Dockerfiles, pinning, model cards, test files."""

from __future__ import annotations

import pytest

DVC_CONFIG = (
    "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/dvc\n"
)


def test_dvc_remote_and_tracked_data_is_wired_versioning(signals):
    found = signals(
        {
            ".dvc/config": DVC_CONFIG,
            "data/raw.csv.dvc": "outs:\n- md5: ab\n  path: raw.csv\n",
        }
    )

    assert found["data_versioning"].strength == "wired"
    assert found["data_versioning"].evidence == (".dvc/config", "data/raw.csv.dvc")


def test_dvc_lock_counts_as_tracked_data(signals):
    lock = "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n"

    found = signals({".dvc/config": DVC_CONFIG, "dvc.lock": lock})

    assert found["data_versioning"].strength == "wired"


def test_dvc_without_remote_is_declared(signals):
    found = signals(
        {".dvc/config": "", ".dvc/.gitignore": "/cache\n", "data.dvc": "outs: []\n"}
    )

    assert found["data_versioning"].strength == "declared"


def test_no_dvc_no_versioning(signals):
    found = signals(
        {"data/raw.csv": "a,b\n1,2\n", "docs/dvc.md": "We should use DVC.\n"}
    )

    assert found["data_versioning"].value is False


def test_dvc_cache_is_ignored(signals):
    found = signals({".dvc/cache/ab/cdef": "import mlflow\nmlflow.start_run()\n"})

    assert found["experiment_tracking"].value is False


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "docker/Dockerfile.gpu",
        "serve.Dockerfile",
        "Containerfile",
        "build/Dockerfile",
    ],
)
def test_dockerfiles_with_from_are_containerised(signals, name):
    found = signals({name: "# base\nFROM python:3.12-slim\nRUN pip install .\n"})

    assert found["containerised"].evidence == (name,)


def test_dockerfile_without_from_is_not_containerised(signals):
    found = signals(
        {"Dockerfile": "# TODO: FROM python\n", "docker-compose.yml": "services: {}\n"}
    )

    assert found["containerised"].value is False


@pytest.mark.parametrize(
    "name", ["uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "conda-lock.yml"]
)
def test_lock_files_are_pinning(signals, name):
    assert signals({name: "# lock\n"})["dependency_pinning"].evidence == (name,)


@pytest.mark.parametrize(
    "text",
    [
        "numpy==1.26.4\npandas==2.2.2  # data\n-r base.txt\n-e .\n",
        "torch==2.3.0 ; python_version >= '3.10'\nscikit-learn[all]===1.5.0\n",
        "numpy==1.26.4 \\\n    --hash=sha256:abc\n",
        "lib @ git+https://github.com/org/lib@0123456789abcdef0123456789abcdef01234567\n",
    ],
)
def test_fully_pinned_requirements_are_pinning(signals, text):
    assert signals({"requirements.txt": text})["dependency_pinning"].value is True


@pytest.mark.parametrize(
    "text",
    [
        "numpy==1.26.4\npandas>=2\n",
        "numpy\n",
        "numpy==1.*\n",
        "# nothing yet\n",
        "lib @ git+https://github.com/org/lib@main\n",
    ],
)
def test_loose_requirements_are_not_pinning(signals, text):
    assert signals({"requirements.txt": text})["dependency_pinning"].value is False


def test_pinned_docs_requirements_do_not_count(signals):
    found = signals(
        {"docs/requirements.txt": "sphinx==7.3.7\n", "requirements.txt": "numpy\n"}
    )

    assert found["dependency_pinning"].value is False


def test_pinned_requirements_in_a_requirements_folder(signals):
    found = signals({"requirements/prod.txt": "numpy==1.26.4\n"})

    assert found["dependency_pinning"].evidence == ("requirements/prod.txt",)


@pytest.mark.parametrize(
    "name", ["MODEL_CARD.md", "models/churn/model_card.md", "model-card.md"]
)
def test_model_card_files(signals, name):
    assert signals({name: "# Model card\n"})["model_card"].evidence == (name,)


def test_huggingface_readme_front_matter_is_a_model_card(signals):
    readme = "---\nlicense: apache-2.0\ndatasets:\n  - imdb\nmetrics: [accuracy]\n---\n# Model\n"

    assert signals({"README.md": readme})["model_card"].evidence == ("README.md",)


@pytest.mark.parametrize(
    "readme",
    [
        "# Project\n\nlicense: MIT, datasets: ours\n",  # no front matter
        "---\nlayout: post\ntitle: x\n---\n",  # a blog's front matter
        "---\nlicense: mit\n---\n",  # a license alone
    ],
)
def test_ordinary_readmes_are_not_model_cards(signals, readme):
    assert signals({"README.md": readme})["model_card"].value is False


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("tests/test_model.py", "def test_shape():\n    assert True\n"),
        (
            "src/model_test.py",
            "import unittest\nclass ModelTest(unittest.TestCase):\n    pass\n",
        ),
        (
            "tests/conftest.py",
            "import pytest\n@pytest.fixture\ndef df():\n    return 1\n",
        ),
        (
            "tests/unit/checks.py",
            "class TestChecks:\n    def test_a(self):\n        pass\n",
        ),
        ("pkg/model_test.go", "package pkg\n"),
        ("web/app.test.ts", "it('works', () => {})\n"),
    ],
)
def test_test_files_are_tests_present(signals, name, code):
    assert signals({name: code})["tests_present"].evidence == (name,)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("tools/test_net.py", "def main():\n    evaluate()\n"),  # an evaluation script
        ("test.py", "def test_set_accuracy():\n    pass\n"),  # a bare test.py
        ("tests/__init__.py", ""),
        ("tests/data/sample.csv", "a,b\n"),
    ],
)
def test_files_that_are_not_tests(signals, name, code):
    assert signals({name: code})["tests_present"].value is False
