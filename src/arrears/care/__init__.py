"""The care desk 客户服务: tickets, channels, queues, SLAs, callbacks, knowledge base."""
