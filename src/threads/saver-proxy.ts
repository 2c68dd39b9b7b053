/**
 * A checkpointer lent to one run with some of its methods replaced; everything else goes
 * to the saver as it is, so its threads stay where they were.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";

export type SaverOverrides = Partial<Pick<BaseCheckpointSaver, "put" | "putWrites">>;

export function overrideSaver(saver: BaseCheckpointSaver, overrides: SaverOverrides): BaseCheckpointSaver {
  return new Proxy(saver, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof SaverOverrides];
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the saver itself: its methods may use private fields a proxy does not have.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
