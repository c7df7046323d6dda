package io.stasis.agent.internal.image;

import io.stasis.crac.compat.Context;
import io.stasis.crac.compat.Resource;
import io.stasis.crac.image.ImageCheckpoint;
import java.time.Instant;

/**
 * The agent's own Resource, registered first so that it is notified last before a checkpoint (the
 * application's Resources may still run units of work) and first after it.
 */
final class AgentResource implements Resource {

    private final ImageHooks hooks;
    private long startBefore = -1;
    private Instant taken;

    AgentResource(ImageHooks hooks) {
        this.hooks = hooks;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
        startBefore = ImageCheckpoint.processStart();
        taken = Instant.now();
        hooks.beforeImage();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) throws Exception {
        hooks.afterImage(startBefore != -1 && ImageCheckpoint.processStart() != startBefore,
                String.valueOf(ImageSupport.currentImage()), taken);
    }

    @Override
    public String toString() {
        return "Stasis agent";
    }
}
