// Auth testing
