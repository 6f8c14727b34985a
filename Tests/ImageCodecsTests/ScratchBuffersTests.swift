import Foundation
@testable import ImageCodecs
import Testing

/// The decode scratch pool: buffers are reused, never shared between two callers at once, and a
/// very large one is not kept.
@Suite(.serialized) struct ScratchBuffersTests {
  @Test func aReturnedBufferIsLentAgain() {
    // An odd size no other test asks for, so a test running in parallel does not take it between.
    let first = ScratchBuffers.with(count: 37 << 20) { UInt(bitPattern: $0.baseAddress) }
    let second = ScratchBuffers.with(count: (37 << 20) - 100) { UInt(bitPattern: $0.baseAddress) }
    #expect(first == second)
  }

  @Test func nestedLoansGetDistinctBuffers() {
    ScratchBuffers.with(count: 1 << 20) { outer in
      outer.initialize(repeating: 7)
      ScratchBuffers.with(count: 1 << 20) { inner in
        #expect(inner.baseAddress != outer.baseAddress)
        inner.initialize(repeating: 9)
      }
      #expect(outer.allSatisfy { $0 == 7 })
    }
  }

  @Test func concurrentLoansNeverOverlap() async {
    await withTaskGroup(of: Bool.self) { group in
      for task in 0..<8 {
        group.addTask {
          (0..<50).allSatisfy { _ in
            ScratchBuffers.with(count: 1 << 16) { buffer in
              buffer.initialize(repeating: UInt8(task))
              return buffer.allSatisfy { $0 == UInt8(task) }
            }
          }
        }
      }
      for await intact in group { #expect(intact) }
    }
  }

  @Test func idleBuffersStayWithinTheByteLimit() {
    ScratchBuffers.with(count: ScratchBuffers.keptBytes + (1 << 20)) { $0[0] = 1 }
    #expect(ScratchBuffers.idleByteCount <= ScratchBuffers.keptBytes)
  }

  @Test func zeroBytesNeedNoBuffer() {
    #expect(ScratchBuffers.with(count: 0) { $0.count } == 0)
  }
}
