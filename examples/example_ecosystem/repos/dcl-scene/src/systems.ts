import { engine, Transform } from '@dcl/sdk/ecs'
import { Quaternion } from '@dcl/sdk/math'
import { Floater, Spinner } from './components'

/**
 * Rotates every entity with a Spinner component around the Y axis.
 * The rotation is scaled by `dt` so the speed does not depend on the frame rate.
 */
export function spinSystem(dt: number): void {
  for (const [entity, spinner] of engine.getEntitiesWith(Spinner, Transform)) {
    const transform = Transform.getMutable(entity)
    const step = Quaternion.fromAngleAxis(spinner.speed * dt, { x: 0, y: 1, z: 0 })
    transform.rotation = Quaternion.multiply(transform.rotation, step)
  }
}

/**
 * Moves floating entities up and down along a sine wave around their base height.
 */
export function floatSystem(dt: number): void {
  for (const [entity] of engine.getEntitiesWith(Floater, Transform)) {
    const floater = Floater.getMutable(entity)
    floater.elapsed += dt
    const transform = Transform.getMutable(entity)
    transform.position.y = floater.baseY + Math.sin(floater.elapsed * 2) * floater.amplitude
  }
}

/** Speeds up a spinning cube after each click, capped at one full turn per second. */
export function boostSpinner(speed: number, clicks: number): number {
  return Math.min(speed + 30 * clicks, 360)
}

let frameCounter = 0

export function debugSystem(_dt: number): void {
  frameCounter += 1
  if (frameCounter % 600 === 0) {
    const count = [...engine.getEntitiesWith(Spinner)].length
    console.log(`spinning cubes: ${count}`)
  }
}
