class_name Enemy
extends CharacterBody2D
## A patrolling enemy that walks between two points and hurts the player on contact.

signal defeated(enemy: Enemy)

enum State { PATROL, CHASE, STUNNED }

@export var patrol_speed: float = 60.0
@export var chase_speed: float = 120.0
@export var patrol_distance: float = 160.0
@export var detection_radius: float = 200.0

var state: State = State.PATROL
var _origin: Vector2
var _direction: int = 1
var _target: Node2D = null


## Remembers a patrol route for an enemy as a pair of world-space endpoints.
class PatrolRoute:
	var start: Vector2
	var end: Vector2

	func _init(from: Vector2, to: Vector2) -> void:
		start = from
		end = to

	## Returns the horizontal length of the route in pixels.
	func length() -> float:
		return absf(end.x - start.x)

	func contains(point: Vector2) -> bool:
		return point.x >= minf(start.x, end.x) and point.x <= maxf(start.x, end.x)


var route: PatrolRoute


func _ready() -> void:
	_origin = global_position
	route = PatrolRoute.new(_origin, _origin + Vector2(patrol_distance, 0))


func _physics_process(delta: float) -> void:
	match state:
		State.PATROL:
			_patrol()
		State.CHASE:
			_chase()
		State.STUNNED:
			velocity.x = 0.0
	velocity.y += get_gravity().y * delta
	move_and_slide()
	_check_player_contact()


## Walks back and forth along the patrol route, turning around at either end.
func _patrol() -> void:
	if not route.contains(global_position):
		_direction = -_direction
	velocity.x = _direction * patrol_speed
	var player := _find_player()
	if player and global_position.distance_to(player.global_position) < detection_radius:
		_target = player
		state = State.CHASE


## Runs toward the current target and gives up once it leaves the detection radius.
func _chase() -> void:
	if _target == null or not is_instance_valid(_target):
		state = State.PATROL
		return
	var offset := _target.global_position - global_position
	if offset.length() > detection_radius * 1.5:
		_target = null
		state = State.PATROL
		return
	velocity.x = signf(offset.x) * chase_speed


func _find_player() -> Player:
	var players := get_tree().get_nodes_in_group("player")
	if players.is_empty():
		return null
	return players[0] as Player


func _check_player_contact() -> void:
	for i in get_slide_collision_count():
		var collider := get_slide_collision(i).get_collider()
		if collider is Player:
			collider.take_damage(1)


## Stuns the enemy for a number of seconds, then resumes patrolling.
func stun(seconds: float = 1.5) -> void:
	state = State.STUNNED
	await get_tree().create_timer(seconds).timeout
	if is_instance_valid(self):
		state = State.PATROL


## Removes the enemy from the scene after emitting `defeated`.
func defeat() -> void:
	defeated.emit(self)
	queue_free()
