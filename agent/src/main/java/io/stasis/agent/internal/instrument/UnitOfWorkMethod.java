package io.stasis.agent.internal.instrument;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A unit of work's body, wrapped in {@code QuiesceGate.enter()} and a {@code QuiesceGate.exit(unit)}
 * on every exit, normal or by exception:
 * <pre>
 *   unit = QuiesceGate.enter();
 *   try { body } finally { QuiesceGate.exit(unit); }
 * </pre>
 * The passage is kept in a new local just past those the body uses. The catch-all handler is the
 * last entry of the exception table, so the body's own handlers still come first. Every stack map
 * frame of the body (expanded by the reader) gets the new local appended, and the handler's frame
 * declares only that local: anything else the body holds is unused there.
 */
final class UnitOfWorkMethod extends MethodVisitor {

    private final int unitSlot;
    private final boolean frames;
    private final Label start = new Label();

    /**
     * @param bodyLocals the local variable slots the original body uses (its {@code max_locals})
     * @param frames     whether the class file has stack map frames (version 50 and later)
     */
    UnitOfWorkMethod(MethodVisitor visitor, int bodyLocals, boolean frames) {
        super(Opcodes.ASM9, visitor);
        this.unitSlot = bodyLocals;
        this.frames = frames;
    }

    @Override
    public void visitCode() {
        super.visitCode();
        super.visitMethodInsn(Opcodes.INVOKESTATIC, ClassRewriter.GATE, "enter", "()L" + ClassRewriter.UNIT + ";", false);
        super.visitVarInsn(Opcodes.ASTORE, unitSlot);
        super.visitLabel(start);
    }

    @Override
    public void visitInsn(int opcode) {
        if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
            exit();
        }
        super.visitInsn(opcode);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        if (type != Opcodes.F_NEW) {
            throw new IllegalStateException("frames must be expanded"); // ClassRewriter reads with EXPAND_FRAMES
        }
        int slots = 0;
        for (int i = 0; i < numLocal; i++) {
            slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
        }
        Object[] locals = new Object[numLocal + (unitSlot - slots) + 1];
        System.arraycopy(local, 0, locals, 0, numLocal);
        for (int i = numLocal; i < locals.length - 1; i++) {
            locals[i] = Opcodes.TOP;
        }
        locals[locals.length - 1] = ClassRewriter.UNIT;
        super.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        Label end = new Label();
        Label handler = new Label();
        super.visitLabel(end);
        super.visitTryCatchBlock(start, end, handler, null);
        super.visitLabel(handler);
        if (frames) {
            Object[] locals = new Object[unitSlot + 1];
            java.util.Arrays.fill(locals, Opcodes.TOP);
            locals[unitSlot] = ClassRewriter.UNIT;
            super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
        }
        exit();
        super.visitInsn(Opcodes.ATHROW);
        // The exits push the passage above a returned value; the handler holds the exception and it.
        super.visitMaxs(maxStack + 2, Math.max(maxLocals, unitSlot + 1));
    }

    private void exit() {
        super.visitVarInsn(Opcodes.ALOAD, unitSlot);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, ClassRewriter.GATE, "exit", "(L" + ClassRewriter.UNIT + ";)V", false);
    }
}
