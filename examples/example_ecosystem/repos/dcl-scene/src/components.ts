import { engine, Schemas } from '@dcl/sdk/ecs'

/** Marks an entity as a cube that spins around the Y axis at `speed` degrees per second. */
export const Spinner = engine.defineComponent('codetune::Spinner', {
  speed: Schemas.Number,
  clicks: Schemas.Int
})

/** Makes an entity bob up and down around its starting height. */
export const Floater = engine.defineComponent('codetune::Floater', {
  baseY: Schemas.Number,
  amplitude: Schemas.Number,
  elapsed: Schemas.Number
})

export const Palette = [
  { r: 0.95, g: 0.3, b: 0.3 },
  { r: 0.3, g: 0.8, b: 0.4 },
  { r: 0.3, g: 0.5, b: 0.95 },
  { r: 0.95, g: 0.8, b: 0.2 }
]
