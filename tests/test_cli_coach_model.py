from adaptivefit import cli
from adaptivefit.coach import versions


def test_coach_model_installs_the_shipped_model_once(env, tmp_path, capsys):
    env(COACH_MODEL_DIR=str(tmp_path / "models"))
    assert cli.main(["coach-model"]) == 0
    assert "Coach model installed" in capsys.readouterr().out
    assert versions.find_model_dir() is not None and versions.find_model_dir().parent == tmp_path / "models"
    assert cli.main(["coach-model"]) == 0
    assert "already there" in capsys.readouterr().out
