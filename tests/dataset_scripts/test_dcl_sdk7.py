"""Decentraland: the table writes SDK 7 scenes back in SDK 6 shapes; a stand-in build of licensed scenes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataset_scripts.dcl_sdk7 import DEPRECATED_APIS, dcl_ecosystem
from tests.dataset_scripts.standins import APACHE, build_standins, rows, standin_lock

# An SDK 7 scene as `npx @dcl/sdk-commands init` projects are written.
SCENE_SDK7 = """export function main() {
  const cube = engine.addEntity()
  Transform.create(cube, {
    position: Vector3.create(8, 1, 8),
    rotation: Quaternion.fromEulerDegrees(0, 45, 0)
  })
  MeshRenderer.setBox(cube)
  MeshCollider.setBox(cube)

  const tree = engine.addEntity()
  Transform.create(tree, { position: Vector3.create(4, 0, 4), scale: { x: 2, y: 2, z: 2 } })
  GltfContainer.create(tree, { src: 'models/tree.glb' })

  const sign = engine.addEntity()
  TextShape.create(sign, {
    text: 'Welcome',
    fontSize: 3,
    textColor: { r: 1, g: 1, b: 1, a: 1 }
  })

  const music = engine.addEntity()
  AudioSource.create(music, { audioClipUrl: 'sounds/theme.mp3' })

  pointerEventsSystem.onPointerDown(
    { entity: cube, opts: { button: InputAction.IA_POINTER, hoverText: 'Spin' } },
    () => {
      const transform = Transform.getMutable(cube)
      transform.rotation = Quaternion.fromEulerDegrees(0, 90, 0)
    }
  )
  engine.addSystem(spinSystem)
}
"""

# The same scene in SDK 6: entities are objects, components are `new`-ed and added to them.
SCENE_SDK6 = """export function main() {
  const cube = new Entity()
  engine.addEntity(cube)
  cube.addComponent(new Transform({
    position: new Vector3(8, 1, 8),
    rotation: Quaternion.Euler(0, 45, 0)
  }))
  cube.addComponent(new BoxShape())
  cube.getComponent(BoxShape).withCollisions = true

  const tree = new Entity()
  engine.addEntity(tree)
  tree.addComponent(new Transform({ position: new Vector3(4, 0, 4), scale: { x: 2, y: 2, z: 2 } }))
  tree.addComponent(new GLTFShape('models/tree.glb'))

  const sign = new Entity()
  engine.addEntity(sign)
  sign.addComponent(new TextShape('Welcome'))

  const music = new Entity()
  engine.addEntity(music)
  music.addComponent(new AudioSource(new AudioClip('sounds/theme.mp3')))

  pointerEventsSystem.onPointerDown(
    { entity: cube, opts: { button: ActionButton.POINTER, hoverText: 'Spin' } },
    () => {
      const transform = cube.getComponent(Transform)
      transform.rotation = Quaternion.Euler(0, 90, 0)
    }
  )
  engine.addSystem({ update: spinSystem })
}
"""


def rewrite_all(code: str) -> str:
    for api in DEPRECATED_APIS:
        code = re.sub(api.current, api.deprecated, code)
    return code


def test_the_table_writes_an_sdk_7_scene_back_in_sdk_6_shapes():
    assert rewrite_all(SCENE_SDK7) == SCENE_SDK6


@pytest.mark.parametrize(
    ("current", "old"),
    [
        ("let ball = engine.addEntity()", "let ball = new Entity()\nengine.addEntity(ball)"),
        (
            "Transform.createOrReplace(ball, { position })",
            "ball.addComponentOrReplace(new Transform({ position }))",
        ),
        ("MeshRenderer.setSphere(ball)", "ball.addComponent(new SphereShape())"),
        ("const c = Color4.create(1, 0, 0, 1)", "const c = new Color4(1, 0, 0, 1)"),
        ("Color3.create(0, 1, 0)", "new Color3(0, 1, 0)"),
        ("Transform.get(ball).position", "ball.getComponent(Transform).position"),
    ],
)
def test_each_entry_on_its_own_code_shape(current: str, old: str):
    assert rewrite_all(current) == old


def test_every_entry_matches_a_real_sdk_7_shape():
    corpus = SCENE_SDK7 + "Transform.createOrReplace(b, {})\nColor4.create(1)\nColor3.create(1)\n"
    for api in DEPRECATED_APIS:
        assert re.search(api.current, corpus), f"{api.current!r} matches nothing"
        assert api.languages == ("typescript", "tsx")


def test_a_dcl_build_takes_licensed_scenes_and_sdk_7_docs_only(tmp_path: Path):
    scene_json = '{"display": {"title": "Party"}, "main": "bin/index.js", "scene": {"base": "0,0"}}'
    package_json = '{"name": "party", "dependencies": {"@dcl/sdk": "latest", "@dcl/js-runtime": "latest"}}'
    lock = standin_lock(
        tmp_path,
        {
            "decentraland/sdk7-goerli-plaza": {
                "Party-Time/scene.json": scene_json,
                "Party-Time/package.json": package_json,
                "Party-Time/src/index.ts": SCENE_SDK7,
                "Party-Time/LICENSE": APACHE,
                "Unlicensed-Scene/src/index.ts": "export function main() {\n  engine.addEntity()\n}\n",
            },
            "decentraland-scenes/Genesis-Plaza-SDK7": {
                "scene.json": scene_json,
                "src/index.ts": "function f() {\n  let e = engine.addEntity()\n  MeshRenderer.setPlane(e)\n}",
            },
            "decentraland/documentation": {
                "content/creator/sdk7/getting-started.md": "# Start\n\n```ts\nengine.addEntity()\n```",
                "content/creator/deprecated/scenes/entities.md": "# Entities (SDK 6)\n\n`new Entity()`\n",
            },
        },
    )
    result = build_standins(tmp_path, dcl_ecosystem(lock), ("clm", "dpo"))
    clm = {(row["repo"], row["path"], row["role"]) for row in rows(result, "clm")}
    assert ("decentraland/sdk7-goerli-plaza", "Party-Time/src/index.ts", "code") in clm
    assert not any("Unlicensed-Scene" in path for _, path, _ in clm)
    assert {path for repo, path, _ in clm if repo == "decentraland/documentation"} == {
        "content/creator/sdk7/getting-started.md"
    }
    assert result.summary.dropped["not_selected"] >= 2  # the unlicensed scene, the SDK 6 docs page
    pairs = [row for row in rows(result, "dpo") if row["negative_kind"] == "deprecated_api"]
    rejected = "\n".join(message["content"] for row in pairs for message in row["rejected"])
    assert "cube.addComponent(new Transform({" in rejected and "new Entity()" in rejected
    assert "e.addComponent(new PlaneShape())" in rejected  # the Genesis Plaza stand-in
