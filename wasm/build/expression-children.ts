/**
 * Walking binaryen's expression trees: the passes that rewrite the
 * interpreter's wasm by shape visit every expression of a function body.
 *
 * @module
 */
import type binaryenModule from 'binaryen';

type Binaryen = typeof binaryenModule;

/**
 * The direct children of an expression, for the kinds the interpreter's and
 * mpy-cross's modules have (after the longjmp rewrite).
 * @throws Error on any other kind
 */
export function children(b: Binaryen, e: number): number[] {
  const id = b.getExpressionId(e);
  const B = b as unknown as Record<string, Record<string, (e: number, i?: number) => number>>;
  const kids = (...xs: number[]): number[] => xs.filter((x) => x !== 0);
  switch (id) {
    case b.BlockId:
      return (b.getExpressionInfo(e) as binaryenModule.BlockInfo).children;
    case b.IfId:
      return kids(B.If!.getCondition!(e), B.If!.getIfTrue!(e), B.If!.getIfFalse!(e));
    case b.LoopId:
      return kids(B.Loop!.getBody!(e));
    case b.BreakId:
      return kids(B.Break!.getCondition!(e), B.Break!.getValue!(e));
    case b.SwitchId:
      return kids(B.Switch!.getCondition!(e), B.Switch!.getValue!(e));
    case b.CallId:
    case b.CallIndirectId:
    case b.ThrowId: {
      const info = b.getExpressionInfo(e) as unknown as { operands: number[]; target?: number | string };
      return kids(...info.operands, ...(id === b.CallIndirectId ? [info.target as number] : []));
    }
    case b.LocalSetId:
      return kids(B.LocalSet!.getValue!(e));
    case b.GlobalSetId:
      return kids(B.GlobalSet!.getValue!(e));
    case b.LoadId:
      return kids(B.Load!.getPtr!(e));
    case b.StoreId:
      return kids(B.Store!.getPtr!(e), B.Store!.getValue!(e));
    case b.UnaryId:
      return kids(B.Unary!.getValue!(e));
    case b.BinaryId:
      return kids(B.Binary!.getLeft!(e), B.Binary!.getRight!(e));
    case b.SelectId:
      return kids(B.Select!.getIfTrue!(e), B.Select!.getIfFalse!(e), B.Select!.getCondition!(e));
    case b.DropId:
      return kids(B.Drop!.getValue!(e));
    case b.ReturnId:
      return kids(B.Return!.getValue!(e));
    case b.MemoryGrowId:
      return kids(B.MemoryGrow!.getDelta!(e));
    case b.MemoryCopyId:
      return kids(B.MemoryCopy!.getDest!(e), B.MemoryCopy!.getSource!(e), B.MemoryCopy!.getSize!(e));
    case b.MemoryFillId:
      return kids(B.MemoryFill!.getDest!(e), B.MemoryFill!.getValue!(e), B.MemoryFill!.getSize!(e));
    case b.TryId: {
      const info = b.getExpressionInfo(e) as unknown as { body: number; catchBodies: number[] };
      return kids(info.body, ...info.catchBodies);
    }
    case b.LocalGetId:
    case b.GlobalGetId:
    case b.ConstId:
    case b.NopId:
    case b.UnreachableId:
    case b.MemorySizeId:
    case b.PopId:
    case b.RethrowId:
      return [];
    default:
      throw new Error(`unexpected expression kind ${id}`);
  }
}
