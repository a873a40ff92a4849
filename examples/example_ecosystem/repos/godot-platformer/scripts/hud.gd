class_name Hud
extends CanvasLayer
## Heads-up display showing the player's health, coin count and a pause menu.

signal restart_requested
signal resume_requested

@export var heart_texture: Texture2D
@export var empty_heart_texture: Texture2D

@onready var hearts: HBoxContainer = $Margin/Hearts
@onready var coin_label: Label = $Margin/CoinLabel
@onready var pause_panel: Panel = $PausePanel


func _ready() -> void:
	pause_panel.hide()
	process_mode = Node.PROCESS_MODE_ALWAYS


## Connects the HUD to a player so it follows its health and coin signals.
func bind_player(player: Player) -> void:
	player.health_changed.connect(update_health)
	player.coin_collected.connect(update_coins)
	player.died.connect(_on_player_died)
	update_health(player.health)
	update_coins(player.coins)


## Redraws the heart icons so that `value` of them are filled.
func update_health(value: int) -> void:
	for i in hearts.get_child_count():
		var heart := hearts.get_child(i) as TextureRect
		heart.texture = heart_texture if i < value else empty_heart_texture


## Shows the number of collected coins, padded to three digits.
func update_coins(total: int) -> void:
	coin_label.text = "%03d" % total


func _unhandled_input(event: InputEvent) -> void:
	if event.is_action_pressed("ui_cancel"):
		toggle_pause()
		get_viewport().set_input_as_handled()


## Pauses or resumes the game tree and shows the pause panel accordingly.
func toggle_pause() -> void:
	var paused := not get_tree().paused
	get_tree().paused = paused
	pause_panel.visible = paused
	if not paused:
		resume_requested.emit()


func _on_player_died() -> void:
	pause_panel.show()
	$PausePanel/Title.text = "Game Over"


func _on_restart_button_pressed() -> void:
	get_tree().paused = false
	restart_requested.emit()
	get_tree().reload_current_scene()
