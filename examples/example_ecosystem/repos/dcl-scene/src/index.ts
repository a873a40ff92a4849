import {
  engine,
  Entity,
  InputAction,
  Material,
  MeshCollider,
  MeshRenderer,
  pointerEventsSystem,
  Transform
} from '@dcl/sdk/ecs'
import { Color4, Vector3 } from '@dcl/sdk/math'
import { Floater, Palette, Spinner } from './components'
import { boostSpinner, debugSystem, floatSystem, spinSystem } from './systems'

/**
 * Creates a clickable cube at `position` that spins and floats.
 * Clicking it speeds up the spin and cycles through the palette colours.
 */
export function createCube(position: Vector3, colourIndex: number): Entity {
  const cube = engine.addEntity()
  Transform.create(cube, { position, scale: Vector3.create(1, 1, 1) })
  MeshRenderer.setBox(cube)
  MeshCollider.setBox(cube)
  setColour(cube, colourIndex)
  Spinner.create(cube, { speed: 45, clicks: 0 })
  Floater.create(cube, { baseY: position.y, amplitude: 0.25, elapsed: colourIndex })

  pointerEventsSystem.onPointerDown(
    { entity: cube, opts: { button: InputAction.IA_POINTER, hoverText: 'Spin faster' } },
    () => {
      const spinner = Spinner.getMutable(cube)
      spinner.clicks += 1
      spinner.speed = boostSpinner(spinner.speed, 1)
      setColour(cube, colourIndex + spinner.clicks)
    }
  )
  return cube
}

/** Applies the palette colour at `index` (wrapping around) to the entity's material. */
function setColour(entity: Entity, index: number): void {
  const { r, g, b } = Palette[index % Palette.length]
  Material.setPbrMaterial(entity, { albedoColor: Color4.create(r, g, b, 1) })
}

function createFloor(): Entity {
  const floor = engine.addEntity()
  Transform.create(floor, {
    position: Vector3.create(8, 0, 16),
    scale: Vector3.create(16, 0.1, 32)
  })
  MeshRenderer.setPlane(floor)
  Material.setPbrMaterial(floor, { albedoColor: Color4.create(0.2, 0.2, 0.25, 1) })
  return floor
}

/** Entry point called by the Decentraland runtime: builds the scene and registers systems. */
export function main(): void {
  createFloor()
  for (let i = 0; i < 4; i++) {
    createCube(Vector3.create(4 + i * 2.5, 1.5, 8), i)
  }
  engine.addSystem(spinSystem)
  engine.addSystem(floatSystem)
  engine.addSystem(debugSystem)
}
