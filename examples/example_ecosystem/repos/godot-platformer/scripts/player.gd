class_name Player
extends CharacterBody2D
## The player-controlled character: runs, jumps and takes damage.

signal health_changed(new_health: int)
signal died
signal coin_collected(total: int)

const MAX_HEALTH := 3
const COYOTE_TIME := 0.12

@export var speed: float = 220.0
@export var jump_velocity: float = -420.0
@export var acceleration: float = 1400.0
@export_range(0.0, 1.0) var air_control: float = 0.6

var health: int = MAX_HEALTH
var coins: int = 0
var _coyote_timer: float = 0.0
var _invulnerable := false

@onready var sprite: AnimatedSprite2D = $AnimatedSprite2D
@onready var hurt_timer: Timer = $HurtTimer


func _ready() -> void:
	hurt_timer.timeout.connect(_on_hurt_timer_timeout)
	health_changed.emit(health)


func _physics_process(delta: float) -> void:
	_apply_gravity(delta)
	_handle_jump(delta)
	_move_horizontally(delta)
	move_and_slide()
	_update_animation()


## Applies gravity to the vertical velocity while the player is airborne.
func _apply_gravity(delta: float) -> void:
	if not is_on_floor():
		velocity.y += get_gravity().y * delta


## Starts a jump when the jump action is pressed, allowing a short coyote time
## after walking off a ledge.
func _handle_jump(delta: float) -> void:
	if is_on_floor():
		_coyote_timer = COYOTE_TIME
	else:
		_coyote_timer = max(_coyote_timer - delta, 0.0)
	if Input.is_action_just_pressed("jump") and _coyote_timer > 0.0:
		velocity.y = jump_velocity
		_coyote_timer = 0.0


## Moves the player horizontally toward the input direction, with reduced
## control while in the air.
func _move_horizontally(delta: float) -> void:
	var direction := Input.get_axis("move_left", "move_right")
	var control := 1.0 if is_on_floor() else air_control
	velocity.x = move_toward(velocity.x, direction * speed, acceleration * control * delta)
	if direction != 0.0:
		sprite.flip_h = direction < 0.0


func _update_animation() -> void:
	if not is_on_floor():
		sprite.play("jump")
	elif absf(velocity.x) > 10.0:
		sprite.play("run")
	else:
		sprite.play("idle")


## Reduces health by the given amount and emits `died` when it reaches zero.
## Ignored while the player is briefly invulnerable after a previous hit.
func take_damage(amount: int = 1) -> void:
	if _invulnerable:
		return
	health = clampi(health - amount, 0, MAX_HEALTH)
	health_changed.emit(health)
	if health == 0:
		died.emit()
		set_physics_process(false)
		return
	_invulnerable = true
	sprite.modulate = Color(1, 0.4, 0.4)
	hurt_timer.start()


## Adds one coin to the player's total and notifies listeners.
func collect_coin() -> void:
	coins += 1
	coin_collected.emit(coins)


func _on_hurt_timer_timeout() -> void:
	_invulnerable = false
	sprite.modulate = Color.WHITE
