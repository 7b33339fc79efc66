package caixa.linux;

import caixa.bindings.linux_h;

import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.reflect.Method;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Linux declares its libc signatures itself (see {@link Linux#LIBC}): they must be jextract's. */
class LinuxDescriptorsTest {
    @Test
    void ownDescriptorsMatchTheGeneratedOnes() throws ReflectiveOperationException {
        for (Map.Entry<String, FunctionDescriptor> e : Linux.LIBC.entrySet()) {
            Method generated = linux_h.class.getMethod(e.getKey() + "$descriptor");
            FunctionDescriptor expected = (FunctionDescriptor) generated.invoke(null);
            assertEquals(expected.toMethodType(), e.getValue().toMethodType(), e.getKey());
        }
    }
}
