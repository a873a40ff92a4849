"""Directory trees render like `tree --dirsfirst`, with vendored directories pruned."""

from codetune.parse.trees import render_tree


def test_tree_renders_directories_first_with_counts():
    tree = render_tree("game", ["scripts/player.gd", "project.godot", "scripts/ui/hud.gd", "README.md"])
    assert tree.text == "\n".join(
        [
            "game",
            "├── scripts",
            "│   ├── ui",
            "│   │   └── hud.gd",
            "│   └── player.gd",
            "├── README.md",
            "└── project.godot",
            "",
            "2 directories, 4 files",
        ]
    )
    assert (tree.file_count, tree.directory_count) == (4, 2)


def test_tree_prunes_vendored_directories():
    tree = render_tree("app", ["src/main.ts", "node_modules/x/index.js"], excluded_dirs=("node_modules",))
    assert "node_modules" not in tree.text
    assert tree.file_count == 1


def test_tree_is_cut_after_max_entries_with_a_count_of_the_rest():
    tree = render_tree("big", [f"f{i:03d}.py" for i in range(10)], max_entries=4)
    assert tree.text.count(".py") == 4
    assert "... 6 more entries" in tree.text
    assert tree.file_count == 10
